"""Route patterns shared by several route modules."""

from __future__ import annotations

# A project by its id. The pattern admits only ids (names never start with "_"), so that
# "/project/{group}/{name}" keeps every other two-segment path: "/project/dev/history" is the
# project named "history" in group "dev", "/project/_p.../history" the history of a project.
PROJECT_BY_ID = "/project/{project_id:_p[0-9a-z]+}"

# A project by its group (id or name) and its name; a name also finds a deleted project on the
# routes that say so (history, versions, diff, restore).
PROJECT_BY_NAME = "/project/{group}/{name}"
