"""handoutkit: print-ready, accessible health handouts and clinician evidence briefs."""

__version__ = "0.1.0"
