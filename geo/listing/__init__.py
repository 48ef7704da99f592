"""Owner listings: the Excel template, checking an upload, preview, submission and staff validation."""

from geo.listing.check import CellIssue, CheckResult, check_workbook
from geo.listing.template import write_template

__all__ = ["CellIssue", "CheckResult", "check_workbook", "write_template"]
