"""Why the bike rental refused a request. The API maps each to its status once, in core."""

from __future__ import annotations

from circulate.core.errors import DomainError


class BikeUnavailableError(DomainError):
    code = "bike_unavailable"
    default_detail = "This bike cannot be rented now."


class RentalActiveError(DomainError):
    code = "rental_active"
    default_detail = "You are already riding a bike; finish that ride first."


class RentalFinishedError(DomainError):
    code = "rental_finished"
    default_detail = "This ride has already ended."


class NoActiveRentalError(DomainError):
    status_code = 404
    code = "no_active_rental"
    default_detail = "You are not riding a bike."


class StationFullError(DomainError):
    code = "station_full"
    default_detail = "Every dock of this station is taken."


class StationNotReturningError(DomainError):
    code = "station_not_returning"
    default_detail = "This station does not take bikes back now."


class BikeRentedError(DomainError):
    code = "bike_rented"
    default_detail = "This bike is out on a ride."


class CapacityBelowDockedError(DomainError):
    code = "capacity_below_docked"


class SerialTakenError(DomainError):
    code = "serial_taken"


class PlanInUseError(DomainError):
    code = "plan_in_use"


class StationHasBikesError(DomainError):
    code = "station_has_bikes"


class VehicleTypeInUseError(DomainError):
    code = "vehicle_type_in_use"


class DefaultPlanConflictError(DomainError):
    code = "default_plan_conflict"
    default_detail = "Another plan was made the default at the same moment; try again."
