"""Render the workflow table as people read it: ``docs/workflow.md``.

French labels come straight from the French catalogue, so the document needs
no compiled translations and shows the words of the user interface.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from .enums import Action, Actor, Status
from .workflow import ACTIONS, NEW, TRANSITIONS, Rule, Target

CATALOG = (
    Path(__file__).resolve().parent.parent / "fragments/translations/fr/LC_MESSAGES/messages.po"
)
ROLE_ABBREVIATIONS = {
    Actor.OWNER: "O",
    Actor.TICKET_MANAGER: "TM",
    Actor.DEPARTMENT_MANAGER: "SM",
    Actor.INVITEE: "I",
    Actor.ADMIN: "A",
    Actor.APPLICATION: "app",
}


@cache
def _french() -> dict[str, str]:
    with open(CATALOG, "rb") as source:
        catalog = read_po(source)
    return {message.id: message.string for message in catalog if message.id and message.string}


def fr(lazy) -> str:
    text = lazy._args[0] if hasattr(lazy, "_args") else str(lazy)
    return _french().get(text, text)


def en(lazy) -> str:
    return lazy._args[0] if hasattr(lazy, "_args") else str(lazy)


def _status(status: Status | None) -> str:
    return "(new)" if status is NEW else f"{fr(status.label)}"


def _target(rule: Rule) -> str:
    if isinstance(rule.to, Target):
        return f"*{en(rule.to.label)}*"
    return f"**{fr(rule.to.label)}**"


def render() -> str:
    lines = [
        "# The ticket workflow",
        "",
        "Generated from the table in `models/workflow.py` by `assistance workflow-doc`; do not",
        "edit by hand: a test fails when this file no longer matches the code.",
        "",
        "An action is allowed only where a row below allows it: for the ticket's status, in one",
        "of the roles the person holds, with the service right the row names and its condition.",
        "When someone holds several roles, the first in the order of the roles table acts.",
        "",
        "## Statuses",
        "",
        "| Status | Label (fr) | Label (en) |",
        "|---|---|---|",
    ]
    lines += [f"| `{s.value}` | {fr(s.label)} | {en(s.label)} |" for s in Status]
    lines += ["", "## Roles", "", "| Abbr. | Role | Rôle |", "|---|---|---|"]
    lines += [f"| {ROLE_ABBREVIATIONS[a]} | {en(a.label)} | {fr(a.label)} |" for a in Actor]
    lines += _overview()
    lines += ["", "## Rules, action by action", ""]
    for action in Action:
        lines += _action_section(action)
    return "\n".join(lines).rstrip() + "\n"


def _overview() -> list[str]:
    statuses = [NEW, *Status]
    lines = [
        "",
        "## Who may do what, in which status",
        "",
        "| Action | " + " | ".join(_status(s) for s in statuses) + " |",
        "|---|" + "---|" * len(statuses),
    ]
    for action in Action:
        cells = []
        for status in statuses:
            roles = [ROLE_ABBREVIATIONS[a] for a in Actor if (status, action, a) in TRANSITIONS]
            cells.append(", ".join(roles) or "·")
        lines.append(f"| {fr(action.label)} (`{action.value}`) | " + " | ".join(cells) + " |")
    return lines


def _action_section(action: Action) -> list[str]:
    spec = ACTIONS[action]
    lines = [f"### {en(action.label)} — « {fr(action.label)} » (`{action.value}`)", ""]
    facts = ["message " + ("required" if spec.message_required else "optional")]
    if spec.commutes:
        facts.append("replayed, not refused, when the ticket changed meanwhile")
    if spec.note is not None:
        facts.append(en(spec.note))
    for follow_up in spec.follow_ups:
        facts.append("then " + follow_up.__doc__.strip().rstrip(".").replace("The a", "the a", 1))
    lines += [f"- {fact}" for fact in facts]
    lines += ["", "| From | Role | Right needed | Condition | To |", "|---|---|---|---|---|"]
    grouped: dict[tuple[Actor, Rule], list[Status | None]] = defaultdict(list)
    for (status, row_action, actor), rule in TRANSITIONS.items():
        if row_action is action:
            grouped[actor, rule].append(status)
    for (actor, rule), statuses in sorted(
        grouped.items(), key=lambda item: list(Actor).index(item[0][0])
    ):
        lines.append(
            "| "
            + ", ".join(_status(s) for s in statuses)
            + f" | {en(actor.label)} | {en(rule.right.label) if rule.right else '—'}"
            + f" | {en(rule.guard.label) if rule.guard else '—'} | {_target(rule)} |"
        )
    return lines + [""]
