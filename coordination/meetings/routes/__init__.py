"""Meeting pages, one module per area: meeting.py (the list, a meeting, its participants and agenda),
minutes.py (the editor, versions, comments, the approval workflow), conclusions.py (a meeting's
conclusions and the register)."""
