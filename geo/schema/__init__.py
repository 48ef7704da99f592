"""The listing schema: one definition of every field of a site listing.

This package is the single source for field keys, types, closed lists, units,
labels and help texts (in English, translated from the ``listing``
catalogue where shown), and validation. The Excel template, the
upload checker, the site sheet and search all read it; nothing else may repeat
a field list.

Values are stored flat: column ``key`` holds the value and column
``key__prov`` its provenance (``declared``, ``verified``, ``computed``,
``estimated``) or null when the value is unknown.
"""

from geo.schema.fields import (
    FIELDS,
    FIELD,
    GROUPS,
    PROVENANCES,
    Field,
    Kind,
    Provenance,
    fields_in_group,
    group_label,
    owner_fields,
    prov_column,
    public_fields,
    storage_columns,
)
from geo.schema.messages import Issue
from geo.schema.coerce import FieldError, coerce_value
from geo.schema.validate import PlaceChecker, validate_record, LOMBARDY_BBOX

__all__ = [
    "FIELDS", "FIELD", "GROUPS", "PROVENANCES", "Field", "Kind", "Provenance",
    "fields_in_group", "group_label", "owner_fields", "prov_column", "public_fields", "storage_columns",
    "Issue", "FieldError", "coerce_value", "PlaceChecker", "validate_record", "LOMBARDY_BBOX",
]
