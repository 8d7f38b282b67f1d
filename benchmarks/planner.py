"""Wall time and work (transport runs, heat solves, evaluations) of a few plans.

Run: LASERSKIN_CACHE_DIR=/tmp/ls_bench .venv/bin/python benchmarks/planner.py
"""

import time

from laserskin.planning import plan
from laserskin.skin.person import Person

CASES = {
    "fair skin, mild laxity": dict(fitzpatrick="II", laxity=1),
    "dark skin (VI), moderate laxity": dict(fitzpatrick="VI", laxity=2),
    "fair skin, severe laxity (referral)": dict(fitzpatrick="II", laxity=4),
}

if __name__ == "__main__":
    for label, fields in CASES.items():
        person = Person(age=55, sex="female", site="cheek", **fields)
        clock = time.perf_counter()
        try:
            result = plan(person, goal="tighten", area="150 cm^2")
            what = f"{result.device or 'referral'}; work {result.simulations_run}"
        except Exception as error:  # infeasible plans raise InputError: report it
            what = f"no plan: {error}"
        print(f"{label:38s} {time.perf_counter() - clock:6.1f} s  {what}")
