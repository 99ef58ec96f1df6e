"""The curator's group (Моя группа): the list of students and guardians kept true, credentials for the
diary, valid reasons for absences.

A curator acts only on the groups they curate; the deputy director and the officer on any group of
their college. Every change is one transaction, audited with its values before and after; a refusal
is audited too. Nothing here deletes a student: one who leaves gets `left_on`, and their marks and
attendance stay in the journal.

The parts: `common` (the data, access and input checks), `roster` (the group list, students),
`guardians`, `credentials` (diary logins and one-time passwords), `absences` (valid reasons).
"""

from __future__ import annotations

from app.services.curator.absences import absences, excuse_absences
from app.services.curator.common import (
    DIARY_ROLES,
    MAX_REASON,
    REASON_KINDS,
    RELATIONS,
    AbsenceRow,
    Credentials,
    GroupCredentials,
    GroupRef,
    GuardianData,
    GuardianRow,
    StudentData,
    StudentRow,
    groups,
)
from app.services.curator.credentials import (
    issue_group_credentials,
    issue_guardian_credentials,
    issue_student_credentials,
    suggest_login,
)
from app.services.curator.guardians import (
    add_guardian,
    find_guardians,
    link_guardian,
    unlink_guardian,
    update_guardian,
)
from app.services.curator.roster import add_student, group_list, move_out, update_student

__all__ = [
    "DIARY_ROLES",
    "MAX_REASON",
    "REASON_KINDS",
    "RELATIONS",
    "AbsenceRow",
    "Credentials",
    "GroupCredentials",
    "GroupRef",
    "GuardianData",
    "GuardianRow",
    "StudentData",
    "StudentRow",
    "absences",
    "add_guardian",
    "add_student",
    "excuse_absences",
    "find_guardians",
    "group_list",
    "groups",
    "issue_group_credentials",
    "issue_guardian_credentials",
    "issue_student_credentials",
    "link_guardian",
    "move_out",
    "suggest_login",
    "unlink_guardian",
    "update_guardian",
    "update_student",
]
