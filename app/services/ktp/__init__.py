"""КТП (календарно-тематический план): the teacher drafts it, the deputy director approves it.

The regulation makes teachers enter their «тематическое планирование» (§3.2.4) and answers them for
covering it in full and on time (§4.3). A curriculum item's КТП is kept in versions (ktp_version,
migration 0010): the item's teacher saves a draft — typed on the «КТП» page or uploaded from the
import template of kind «КТП» — and the deputy director approves or rejects it with a comment. The
approved version is the КТП in force: the journal offers its topics for a lesson and the warehouse
measures the lag against it. Earlier versions stay, read-only. The officer's import (app.imports)
still loads a КТП directly: it records an approved version at once.

Every public action takes the acting user first and `session` keyword-only, is one transaction,
and is audited whether accepted or refused.
"""

from __future__ import annotations

from app.services.ktp.common import (
    AUTHOR_ONLY,
    CHANGE_LABELS,
    CONFLICT,
    DEPUTY_ONLY,
    FIELD_NAMES,
    MAX_NOTE,
    MAX_TOPICS,
    MIN_COMMENT,
    READERS,
    FileTopics,
    ItemOption,
    PendingDraft,
    Topic,
    TopicChange,
    TopicInput,
    VersionInfo,
    changed_fields,
    check_topic,
    diff,
    diff_summary,
    hours_problem,
    hours_word,
    is_author,
    numbered,
    same_content,
)
from app.services.ktp.reading import (
    approved_topics,
    college_items,
    item_option,
    my_items,
    pending,
    version_topics,
    versions,
)
from app.services.ktp.writing import (
    approve,
    read_file,
    reject,
    save_draft,
    sha256,
    upload_draft,
    write_version,
)

__all__ = [
    "AUTHOR_ONLY",
    "CHANGE_LABELS",
    "CONFLICT",
    "DEPUTY_ONLY",
    "FIELD_NAMES",
    "MAX_NOTE",
    "MAX_TOPICS",
    "MIN_COMMENT",
    "READERS",
    "FileTopics",
    "ItemOption",
    "PendingDraft",
    "Topic",
    "TopicChange",
    "TopicInput",
    "VersionInfo",
    "approve",
    "approved_topics",
    "changed_fields",
    "check_topic",
    "college_items",
    "diff",
    "diff_summary",
    "hours_problem",
    "hours_word",
    "is_author",
    "item_option",
    "my_items",
    "numbered",
    "pending",
    "read_file",
    "reject",
    "same_content",
    "save_draft",
    "sha256",
    "upload_draft",
    "version_topics",
    "versions",
    "write_version",
]
