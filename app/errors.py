"""Domain errors: a refusal with a Russian message that says what was refused and why."""


class DomainError(Exception):
    """An action the regulation or the data does not allow. `message` is shown to the user as is."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class AccessDenied(DomainError):
    def __init__(self, message: str = "Недостаточно прав для этого действия.") -> None:
        super().__init__(message, code="access_denied")


class NotFound(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="not_found")
