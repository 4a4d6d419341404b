"""Verify stage: `handoutkit audit`, a preflight of any PDF for accessibility and print.

It reads the finished file only (our own output or anybody else's), so it needs no handoutkit
project. `run` audits files (and runs veraPDF once for all), `checks` holds the checks of one
PDF, `scan` reads its content streams, `report` is what comes out, `verapdf` runs veraPDF.
"""

from handoutkit.audit.checks import Edition
from handoutkit.audit.run import audit_files

__all__ = ["Edition", "audit_files"]
