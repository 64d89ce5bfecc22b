"""What every editorial admin shares.

- ``admin``: an edit summary on each save, kept with the revision (required on published
  entries); the citation helper beside narrative fields; optimistic locking on change forms,
  inlines, list edits and actions (``forms``, ``crisis_tracker.locking``);
- ``versions``: a field-by-field compare view between any two versions, and revert recorded as
  a new version;
- ``publishing``: the draft → review → published workflow, as far as the user may take it.
"""
