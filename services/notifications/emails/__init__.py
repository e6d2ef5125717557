"""Every email notifications writes: the citizen's (kinds, words, content, calendar, citizen),
the districts' (district), and the way back from an owed row to its message (from_row)."""
