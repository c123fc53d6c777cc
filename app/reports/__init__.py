"""Builders that turn domain data into PDF, FHIR JSON and iCalendar. No Qt, no SQL."""
