"""Schema conformance: schemathesis against a live server, as every kind of caller (``python -m conformance``)."""
