"""What the formulas share about their arguments: numpy only, pandas objects known by their labels.

The formulas keep the labels of a pandas Series or DataFrame they are given, without importing
pandas: such an object has a shape and an ``index`` of labels (a list's ``index`` is a method).
"""

from __future__ import annotations


def is_labelled(obj) -> bool:
    """Whether ``obj`` carries labels to keep (a pandas Series or DataFrame).

    >>> is_labelled([1.0, 2.0]), is_labelled(2.0)
    (False, False)
    """
    return hasattr(obj, "shape") and not callable(getattr(obj, "index", callable))
