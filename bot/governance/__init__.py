"""Governance: owners review what they own, on a cadence and when things change; overdue reviews escalate."""
