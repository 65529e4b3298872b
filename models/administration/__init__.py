"""« Services »: setting up the services, their category trees and their managers.

Who may do what, as in ESUP-Helpdesk: an administrator everything; a manager of a
service what their rights there allow: its properties (MANAGE_PROPERTIES), its
categories and their members (MANAGE_CATEGORIES), its managers, their rights and
availability (MANAGE_MANAGERS), their own availability (SET_OWN_AVAILABILITY).
Any manager of a service may look at it. Creating, enabling and ordering the
services, and the list of administrators, are the administrators' alone.

Each operation checks the actor's right, cleans what it is given (InvalidValue
beside the field at fault), changes the rows, writes one AdminChange, and commits
through ``retrying``: all of it, or nothing.

The modules: ``rights`` (who may do what), ``cleaning`` (checking what is given),
``ordering`` (positions among siblings), ``changes`` (the change log),
``departments``, ``categories`` and ``people`` (the operations), ``loading`` and
``trees`` (reading the set-up). Import from this package, not from them.
"""

from .categories import (
    add_category,
    add_member,
    move_category,
    remove_member,
    reorder_category,
    update_category,
)
from .changes import LogEntry, change_log
from .cleaning import (
    CATEGORY_CLEANERS,
    CATEGORY_LABEL_MAX,
    DEPARTMENT_CLEANERS,
    DEPARTMENT_LABEL_MAX,
    DESCRIPTION_MAX,
    EXPIRY_DAYS_MAX,
    TITLE_MAX,
    UID_MAX,
)
from .departments import (
    create_department,
    move_department,
    set_department_enabled,
    update_department,
)
from .loading import load_department, visible_departments
from .ordering import Direction
from .people import (
    add_admin,
    add_manager,
    administrators,
    remove_admin,
    remove_manager,
    set_manager_availability,
    set_manager_rights,
)
from .rights import (
    Powers,
    may,
    may_set_availability,
    may_view,
    powers,
    require,
    require_admin,
    require_availability,
)
from .trees import CategoryNode, CategoryTree, Inherited, department_tree

__all__ = [
    "CATEGORY_CLEANERS",
    "CATEGORY_LABEL_MAX",
    "DEPARTMENT_CLEANERS",
    "DEPARTMENT_LABEL_MAX",
    "DESCRIPTION_MAX",
    "EXPIRY_DAYS_MAX",
    "TITLE_MAX",
    "UID_MAX",
    "CategoryNode",
    "CategoryTree",
    "Direction",
    "Inherited",
    "LogEntry",
    "Powers",
    "add_admin",
    "add_category",
    "add_manager",
    "add_member",
    "administrators",
    "change_log",
    "create_department",
    "department_tree",
    "load_department",
    "may",
    "may_set_availability",
    "may_view",
    "move_category",
    "move_department",
    "powers",
    "remove_admin",
    "remove_manager",
    "remove_member",
    "reorder_category",
    "require",
    "require_admin",
    "require_availability",
    "set_department_enabled",
    "set_manager_availability",
    "set_manager_rights",
    "update_category",
    "update_department",
    "visible_departments",
]
