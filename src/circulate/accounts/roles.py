"""Staff roles. Each is a Django group of the same name; superusers hold them all."""

LIBRARIAN = "librarian"
FLEET_MANAGER = "fleet_manager"
DEALER_STAFF = "dealer_staff"

ALL_ROLES: tuple[str, ...] = (LIBRARIAN, FLEET_MANAGER, DEALER_STAFF)
