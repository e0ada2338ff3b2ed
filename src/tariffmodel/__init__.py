"""tariffmodel: the Maximum Allowed Distribution Revenue of Schedule 2 of NEDC's Distribution
Licence, every term and every year, with the tools to explore and review it."""

__version__ = "0.1.0"
