"""Plans run with one BLAS thread (:func:`laserskin.planning.plan.plan_request`); the numbers must not change.

Reference: the same products with the library's default thread count. OpenBLAS splits a
product's output between threads, never a sum, so the results agree to the last bit
(tolerance 0). The stack is shaped like the healing model's propagators (parameter samples ×
11 × 11 states), the dense linear algebra a plan does most.
"""

import numpy as np
import scipy.linalg
from threadpoolctl import threadpool_limits


def test_one_blas_thread_gives_the_same_propagators():
    rng = np.random.default_rng(11)
    stack = rng.normal(size=(48, 11, 11)) * 0.3
    default = scipy.linalg.expm(stack)
    with threadpool_limits(limits=1, user_api="blas"):
        single = scipy.linalg.expm(stack)
    assert np.array_equal(default, single)
