"""What the market's staff keep: car models, suppliers, their prices and their discounts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.db import IntegrityError, models, transaction

from circulate.audit import services as audit
from circulate.core.errors import InvalidInputError
from circulate.core.services import soft_delete
from circulate.dealership.errors import InUseError, PriceExistsError
from circulate.dealership.models import (
    CarModel,
    DealershipCar,
    Offer,
    Supplier,
    SupplierCar,
    SupplierDiscount,
)
from circulate.dealership.services._common import (
    changes_since,
    check_percent,
    check_period,
    created,
    get_or_404,
    require_market_staff,
    set_car_models,
    snapshot,
)

CAR_MODEL_FIELDS = (
    "make",
    "model",
    "year",
    "body_type",
    "fuel",
    "transmission",
    "drive",
    "engine_volume_l",
    "power_hp",
    "color",
)
SUPPLIER_FIELDS = ("name", "country", "founded_year", "description", "email")
DISCOUNT_FIELDS = ("name", "kind", "percent", "min_units", "starts_at", "ends_at", "car_models")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _apply(instance: models.Model, changes: dict[str, Any]) -> None:
    for field, value in changes.items():
        setattr(instance, field, _strip(value))


class CarModelChanges(TypedDict, total=False):
    make: str
    model: str
    year: int
    body_type: str
    fuel: str
    transmission: str
    drive: str
    engine_volume_l: Decimal | None
    power_hp: int
    color: str


@audit.audited("dealership.car_model.create")
@transaction.atomic
def create_car_model(*, actor: Any, **fields: Unpack[CarModelChanges]) -> CarModel:
    require_market_staff(actor, "add car models")
    car = CarModel()
    _apply(car, dict(fields))
    car.save()
    audit.record("dealership.car_model.create", actor=actor, target=car, changes=created(car, CAR_MODEL_FIELDS))
    return car


@audit.audited("dealership.car_model.update")
@transaction.atomic
def update_car_model(*, actor: Any, car_model_id: int, **changes: Unpack[CarModelChanges]) -> CarModel:
    require_market_staff(actor, "edit car models")
    car: CarModel = get_or_404(CarModel, car_model_id, "car model", lock=True)
    before = snapshot(car, CAR_MODEL_FIELDS)
    _apply(car, dict(changes))
    car.save()
    audit.record("dealership.car_model.update", actor=actor, target=car, changes=changes_since(before, car))
    return car


@audit.audited("dealership.car_model.delete")
@transaction.atomic
def delete_car_model(*, actor: Any, car_model_id: int) -> None:
    """Retire a car model; refused while a dealership has it in stock or a buyer's open offer names it."""
    require_market_staff(actor, "remove car models")
    car: CarModel = get_or_404(CarModel, car_model_id, "car model", lock=True)
    if DealershipCar.objects.filter(car_model=car, quantity__gt=0).exists():
        raise InUseError("Dealerships still have this car model in stock.")
    if Offer.objects.filter(car_model=car, status=Offer.Status.ACTIVE).exists():
        raise InUseError("Open offers ask for this car model.")
    SupplierCar.objects.filter(car_model=car).update(is_active=False)
    soft_delete(instance=car)
    audit.record("dealership.car_model.delete", actor=actor, target=car, changes={"is_active": (True, False)})


class SupplierChanges(TypedDict, total=False):
    name: str
    country: str
    founded_year: int
    description: str
    email: str


@audit.audited("dealership.supplier.create")
@transaction.atomic
def create_supplier(*, actor: Any, **fields: Unpack[SupplierChanges]) -> Supplier:
    require_market_staff(actor, "add suppliers")
    supplier = Supplier()
    _apply(supplier, dict(fields))
    supplier.save()
    changes = created(supplier, SUPPLIER_FIELDS)
    audit.record("dealership.supplier.create", actor=actor, target=supplier, changes=changes)
    return supplier


@audit.audited("dealership.supplier.update")
@transaction.atomic
def update_supplier(*, actor: Any, supplier_id: int, **changes: Unpack[SupplierChanges]) -> Supplier:
    require_market_staff(actor, "edit suppliers")
    supplier: Supplier = get_or_404(Supplier, supplier_id, "supplier", lock=True)
    before = snapshot(supplier, SUPPLIER_FIELDS)
    _apply(supplier, dict(changes))
    supplier.save()
    changed = changes_since(before, supplier)
    audit.record("dealership.supplier.update", actor=actor, target=supplier, changes=changed)
    return supplier


@audit.audited("dealership.supplier.delete")
@transaction.atomic
def delete_supplier(*, actor: Any, supplier_id: int) -> None:
    """A supplier leaves the market: its prices go with it; its past sales stay."""
    require_market_staff(actor, "remove suppliers")
    supplier: Supplier = get_or_404(Supplier, supplier_id, "supplier", lock=True)
    SupplierCar.objects.filter(supplier=supplier).update(is_active=False)
    SupplierDiscount.objects.filter(supplier=supplier).update(is_active=False)
    soft_delete(instance=supplier)
    audit.record("dealership.supplier.delete", actor=actor, target=supplier, changes={"is_active": (True, False)})


@audit.audited("dealership.supplier_car.create")
@transaction.atomic
def set_supplier_price(*, actor: Any, supplier_id: int, car_model_id: int, price: Decimal) -> SupplierCar:
    """Offer a car model for ``price``; one active price per supplier and car model (409 ``price_exists``)."""
    require_market_staff(actor, "set suppliers' prices")
    supplier: Supplier = get_or_404(Supplier, supplier_id, "supplier", field="supplier")
    car: CarModel = get_or_404(CarModel, car_model_id, "car model", field="car_model")
    try:
        with transaction.atomic():
            row = SupplierCar.objects.create(supplier=supplier, car_model=car, price=price)
    except IntegrityError as exc:
        raise PriceExistsError(field="car_model") from exc
    audit.record(
        "dealership.supplier_car.create",
        actor=actor,
        target=row,
        changes={"supplier": (None, supplier.pk), "car_model": (None, car.pk), "price": (None, price)},
    )
    return row


@audit.audited("dealership.supplier_car.update")
@transaction.atomic
def update_supplier_price(*, actor: Any, supplier_car_id: int, price: Decimal) -> SupplierCar:
    require_market_staff(actor, "change suppliers' prices")
    row: SupplierCar = get_or_404(SupplierCar, supplier_car_id, "price", lock=True)
    before = row.price
    row.price = price
    row.save(update_fields=["price", "updated_at"])
    audit.record("dealership.supplier_car.update", actor=actor, target=row, changes={"price": (before, price)})
    return row


@audit.audited("dealership.supplier_car.delete")
@transaction.atomic
def delete_supplier_price(*, actor: Any, supplier_car_id: int) -> None:
    require_market_staff(actor, "remove suppliers' prices")
    row: SupplierCar = get_or_404(SupplierCar, supplier_car_id, "price", lock=True)
    soft_delete(instance=row)
    audit.record("dealership.supplier_car.delete", actor=actor, target=row, changes={"is_active": (True, False)})


class DiscountChanges(TypedDict, total=False):
    name: str
    kind: str
    percent: Decimal
    min_units: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    car_models: list[int]


def _check_discount(discount: SupplierDiscount) -> None:
    if discount.kind == SupplierDiscount.Kind.LOYALTY:
        if discount.min_units is None:
            raise InvalidInputError("A loyalty discount needs min_units.", field="min_units")
        discount.starts_at = discount.ends_at = None
    else:
        if discount.starts_at is None or discount.ends_at is None:
            raise InvalidInputError("A promotion needs starts_at and ends_at.", field="starts_at")
        check_period(discount.starts_at, discount.ends_at)
        discount.min_units = None
    check_percent(discount.percent)


@audit.audited("dealership.supplier_discount.create")
@transaction.atomic
def create_supplier_discount(*, actor: Any, supplier_id: int, **fields: Unpack[DiscountChanges]) -> SupplierDiscount:
    """A loyalty discount (``min_units``) or a dated promotion (``starts_at``/``ends_at``) on some or all cars."""
    require_market_staff(actor, "add suppliers' discounts")
    supplier: Supplier = get_or_404(Supplier, supplier_id, "supplier", field="supplier")
    data: dict[str, Any] = dict(fields)
    model_ids = data.pop("car_models", [])
    discount = SupplierDiscount(supplier=supplier)
    _apply(discount, data)
    _check_discount(discount)
    discount.save()
    set_car_models(discount, list(model_ids))
    changes = created(discount, DISCOUNT_FIELDS)
    audit.record("dealership.supplier_discount.create", actor=actor, target=discount, changes=changes)
    return discount


@audit.audited("dealership.supplier_discount.update")
@transaction.atomic
def update_supplier_discount(
    *, actor: Any, supplier_discount_id: int, **changes: Unpack[DiscountChanges]
) -> SupplierDiscount:
    require_market_staff(actor, "change suppliers' discounts")
    discount: SupplierDiscount = get_or_404(SupplierDiscount, supplier_discount_id, "discount", lock=True)
    before = snapshot(discount, DISCOUNT_FIELDS)
    data: dict[str, Any] = dict(changes)
    model_ids = data.pop("car_models", None)
    _apply(discount, data)
    _check_discount(discount)
    discount.save()
    if model_ids is not None:
        set_car_models(discount, list(model_ids))
    changed = changes_since(before, discount)
    audit.record("dealership.supplier_discount.update", actor=actor, target=discount, changes=changed)
    return discount


@audit.audited("dealership.supplier_discount.delete")
@transaction.atomic
def delete_supplier_discount(*, actor: Any, supplier_discount_id: int) -> None:
    require_market_staff(actor, "remove suppliers' discounts")
    discount: SupplierDiscount = get_or_404(SupplierDiscount, supplier_discount_id, "discount", lock=True)
    soft_delete(instance=discount)
    changes = {"is_active": (True, False)}
    audit.record("dealership.supplier_discount.delete", actor=actor, target=discount, changes=changes)
