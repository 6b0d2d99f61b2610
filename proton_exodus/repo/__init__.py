"""An exported repository as Proton's successor: its index of template versions and instances
(`index.py`), the checks a pipeline runs before a deploy (`check.py`, shipped as `script.py` builds it)
and the day-2 operations of `exodus repo` (`ops.py`)."""
