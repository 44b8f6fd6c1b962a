from mlprep._entry import main

main()
