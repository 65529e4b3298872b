"""WTForms forms: every state-changing form carries a session-bound CSRF token."""
