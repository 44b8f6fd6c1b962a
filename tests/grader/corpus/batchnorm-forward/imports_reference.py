# expect: status:forbidden
# tries to use the reference
from reference import batchnorm_forward  # noqa
