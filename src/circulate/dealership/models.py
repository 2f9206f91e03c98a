"""The car dealership market: suppliers sell car models to dealerships, dealerships sell them to buyers.

Rules two trading cycles can race on are the database's to keep: balances never below 0
and stock never below 0 (check constraints, moved by conditional updates under row locks),
one active price per supplier and car model, one stock row per dealership and car model,
one buyer profile per user, and an offer fulfilled by at most one sale (a unique key).
Money is ``Decimal`` in one currency, :data:`CURRENCY`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_countries.fields import CountryField

from circulate.core.models import BaseModel

CURRENCY = "USD"
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
PERCENT: dict[str, Any] = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
}


class CarModel(BaseModel):
    """The car characteristics everything else filters on."""

    class BodyType(models.TextChoices):
        SEDAN = "sedan"
        HATCHBACK = "hatchback"
        WAGON = "wagon"
        SUV = "suv"
        COUPE = "coupe"
        CONVERTIBLE = "convertible"
        PICKUP = "pickup"
        VAN = "van"

    class Fuel(models.TextChoices):
        PETROL = "petrol"
        DIESEL = "diesel"
        HYBRID = "hybrid"
        ELECTRIC = "electric"

    class Transmission(models.TextChoices):
        MANUAL = "manual"
        AUTOMATIC = "automatic"

    class Drive(models.TextChoices):
        FWD = "fwd"
        RWD = "rwd"
        AWD = "awd"

    make = models.CharField(max_length=60)
    model = models.CharField(max_length=80)
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1886), MaxValueValidator(2100)])
    body_type = models.CharField(max_length=12, choices=BodyType.choices)
    fuel = models.CharField(max_length=10, choices=Fuel.choices)
    transmission = models.CharField(max_length=10, choices=Transmission.choices, default=Transmission.AUTOMATIC)
    drive = models.CharField(max_length=4, choices=Drive.choices, default=Drive.FWD)
    engine_volume_l = models.DecimalField(
        max_digits=3, decimal_places=1, null=True, blank=True, help_text="Litres; empty for electric cars."
    )
    power_hp = models.PositiveIntegerField()
    color = models.CharField(max_length=30)

    class Meta:
        ordering = ("make", "model", "-year", "id")
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=1886, year__lte=2100), name="dealership_car_year_range"),
            models.CheckConstraint(
                condition=Q(engine_volume_l__isnull=True) | Q(engine_volume_l__gt=0),
                name="dealership_car_engine_positive",
            ),
        ]
        indexes = [models.Index(fields=["make", "model"], name="dealership_car_make_model")]

    def __str__(self) -> str:
        return f"{self.make} {self.model} {self.year} ({self.color})"


class Supplier(BaseModel):
    name = models.CharField(max_length=200)
    country = CountryField()
    founded_year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1800), MaxValueValidator(2100)])
    description = models.TextField(blank=True)
    email = models.EmailField("contact e-mail", blank=True)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name


class SupplierCar(BaseModel):
    """What a supplier asks for one unit of a car model (before discounts)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="cars")
    car_model = models.ForeignKey(CarModel, on_delete=models.PROTECT, related_name="supplier_cars")
    price = models.DecimalField(**MONEY)

    class Meta:
        ordering = ("supplier", "car_model", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "car_model"], condition=Q(is_active=True), name="dealership_one_active_price"
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="dealership_supplier_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} · {self.car_model}: {self.price} {CURRENCY}"


class SupplierDiscount(BaseModel):
    """A supplier's discount: *loyalty* once a dealership bought ``min_units`` from it, or a dated *promotion*.

    It applies to ``car_models``, or to every car of the supplier when that is empty.
    """

    class Kind(models.TextChoices):
        LOYALTY = "loyalty"
        PROMOTION = "promotion"

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="discounts")
    name = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    percent = models.DecimalField(**PERCENT)
    min_units = models.PositiveIntegerField(
        null=True, blank=True, help_text="Loyalty: units the dealership already bought from this supplier."
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    car_models = models.ManyToManyField(CarModel, blank=True, related_name="supplier_discounts")

    class Meta:
        ordering = ("supplier", "-percent", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gt=0, percent__lt=100), name="dealership_supplier_discount_percent"
            ),
            models.CheckConstraint(
                condition=Q(kind="loyalty", min_units__isnull=False)
                | Q(kind="promotion", starts_at__isnull=False, ends_at__isnull=False, ends_at__gt=F("starts_at")),
                name="dealership_supplier_discount_terms",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier}: {self.percent}% {self.kind}"


class Dealership(BaseModel):
    name = models.CharField(max_length=200)
    country = CountryField()
    city = models.CharField(max_length=100, blank=True)
    balance = models.DecimalField(**MONEY, default=Decimal(0), editable=False)
    markup_percent = models.DecimalField(
        max_digits=6, decimal_places=2, default=Decimal(20), validators=[MinValueValidator(Decimal(0))]
    )
    preferences = models.JSONField(default=dict, blank=True, help_text="What it buys; see dealership.preferences.")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="dealerships")

    class Meta:
        ordering = ("name", "id")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="dealership_balance_not_negative"),
            models.CheckConstraint(condition=Q(markup_percent__gte=0), name="dealership_markup_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class DealershipCar(BaseModel):
    """A dealership's stock of one car model: how many, what one cost it on average, what it asks."""

    dealership = models.ForeignKey(Dealership, on_delete=models.PROTECT, related_name="stock")
    car_model = models.ForeignKey(CarModel, on_delete=models.PROTECT, related_name="stock")
    quantity = models.PositiveIntegerField(default=0, editable=False)
    unit_cost = models.DecimalField(**MONEY, default=Decimal(0), editable=False)
    price = models.DecimalField(**MONEY, editable=False)

    class Meta:
        ordering = ("dealership", "car_model", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["dealership", "car_model"], condition=Q(is_active=True), name="dealership_one_stock_row"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="dealership_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gte=0, unit_cost__gte=0), name="dealership_stock_money"),
        ]
        indexes = [models.Index(fields=["car_model", "quantity"], name="dealership_stock_model_qty")]

    def __str__(self) -> str:
        return f"{self.dealership} · {self.car_model} x {self.quantity}"


class DealershipPromotion(BaseModel):
    """A dealership's dated discount on ``car_models`` (all of its cars when empty)."""

    dealership = models.ForeignKey(Dealership, on_delete=models.PROTECT, related_name="promotions")
    name = models.CharField(max_length=120, blank=True)
    percent = models.DecimalField(**PERCENT)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    car_models = models.ManyToManyField(CarModel, blank=True, related_name="dealership_promotions")

    class Meta:
        ordering = ("dealership", "-starts_at", "id")
        constraints = [
            models.CheckConstraint(condition=Q(percent__gt=0, percent__lt=100), name="dealership_promotion_percent"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="dealership_promotion_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.dealership}: {self.percent}% {self.name}".strip()


class Buyer(BaseModel):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="buyer")
    country = CountryField(blank=True)
    balance = models.DecimalField(**MONEY, default=Decimal(0), editable=False)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="dealership_buyer_balance_not_negative")
        ]

    def __str__(self) -> str:
        return str(self.user)


class Offer(BaseModel):
    """What a buyer wants: a car model, or characteristics in the car-model filter shape, up to ``max_price``."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        FULFILLED = "fulfilled"
        CANCELLED = "cancelled"

    buyer = models.ForeignKey(Buyer, on_delete=models.PROTECT, related_name="offers")
    car_model = models.ForeignKey(CarModel, null=True, blank=True, on_delete=models.PROTECT, related_name="offers")
    criteria = models.JSONField(default=dict, blank=True, help_text="Characteristics; see dealership.criteria.")
    max_price = models.DecimalField(**MONEY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(condition=Q(max_price__gt=0), name="dealership_offer_price_positive"),
            models.CheckConstraint(
                condition=~Q(status="fulfilled") | Q(fulfilled_at__isnull=False), name="dealership_offer_fulfilled_at"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="dealership_offer_queue")]

    def __str__(self) -> str:
        return f"Offer #{self.pk}"


class SupplierSale(BaseModel):
    """A dealership bought ``quantity`` units from a supplier: ``total`` = ``unit_price`` x ``quantity``.

    ``list_price`` is the supplier's price, ``discount_percent`` the best discount applied,
    ``discount_total`` what the dealership saved.
    """

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="sales")
    dealership = models.ForeignKey(Dealership, on_delete=models.PROTECT, related_name="purchases")
    car_model = models.ForeignKey(CarModel, on_delete=models.PROTECT, related_name="+")
    discount = models.ForeignKey(SupplierDiscount, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    list_price = models.DecimalField(**MONEY)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))
    unit_price = models.DecimalField(**MONEY)
    discount_total = models.DecimalField(**MONEY, default=Decimal(0))
    total = models.DecimalField(**MONEY)
    sold_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-sold_at", "-id")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="dealership_supplier_sale_quantity"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0, total__gte=0, discount_total__gte=0),
                name="dealership_supplier_sale_money",
            ),
        ]
        indexes = [
            models.Index(fields=["supplier", "sold_at"], name="dealership_ssale_supplier"),
            models.Index(fields=["dealership", "sold_at"], name="dealership_ssale_dealer"),
            models.Index(fields=["sold_at"], name="dealership_ssale_sold_at"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} → {self.dealership}: {self.quantity} x {self.car_model}"


class DealershipSale(BaseModel):
    """A dealership sold one car to a buyer, fulfilling ``offer`` (one sale per offer: a unique key)."""

    dealership = models.ForeignKey(Dealership, on_delete=models.PROTECT, related_name="sales")
    buyer = models.ForeignKey(Buyer, on_delete=models.PROTECT, related_name="purchases")
    offer = models.OneToOneField(Offer, on_delete=models.PROTECT, related_name="sale")
    car_model = models.ForeignKey(CarModel, on_delete=models.PROTECT, related_name="+")
    promotion = models.ForeignKey(
        DealershipPromotion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    list_price = models.DecimalField(**MONEY)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))
    price = models.DecimalField(**MONEY, help_text="What the buyer paid.")
    unit_cost = models.DecimalField(**MONEY, help_text="What the car cost the dealership.")
    sold_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-sold_at", "-id")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0, unit_cost__gte=0), name="dealership_sale_money"),
        ]
        indexes = [
            models.Index(fields=["dealership", "sold_at"], name="dealership_sale_dealer"),
            models.Index(fields=["buyer", "sold_at"], name="dealership_sale_buyer"),
            models.Index(fields=["sold_at"], name="dealership_sale_sold_at"),
        ]

    def __str__(self) -> str:
        return f"Sale #{self.pk}: {self.car_model} to {self.buyer}"

    @property
    def discount(self) -> Decimal:
        return self.list_price - self.price


class BalanceTopUp(BaseModel):
    """Money staff added to a dealership's or a buyer's balance in the admin (the only manual change)."""

    dealership = models.ForeignKey(Dealership, null=True, blank=True, on_delete=models.PROTECT, related_name="top_ups")
    buyer = models.ForeignKey(Buyer, null=True, blank=True, on_delete=models.PROTECT, related_name="top_ups")
    amount = models.DecimalField(**MONEY)
    note = models.CharField(max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="dealership_top_up_positive"),
            models.CheckConstraint(
                condition=Q(dealership__isnull=False, buyer__isnull=True)
                | Q(dealership__isnull=True, buyer__isnull=False),
                name="dealership_top_up_one_account",
            ),
        ]

    def __str__(self) -> str:
        return f"+{self.amount} {CURRENCY} to {self.dealership or self.buyer}"


# --- Monthly rollups of the sales (kept by the sale transactions; see dealership.rollup) -------------------------

TOTAL: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}


class DealershipMonth(models.Model):
    """One dealership's sales in one calendar month (UTC): cars, revenue and cost of goods."""

    month = models.DateField(help_text="The month's first day (UTC).")
    dealership = models.ForeignKey(Dealership, on_delete=models.PROTECT, related_name="+")
    cars = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(**TOTAL, default=Decimal(0))
    cost = models.DecimalField(**TOTAL, default=Decimal(0))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "dealership"], name="dealership_month_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.dealership_id} {self.month:%Y-%m}: {self.cars} cars"


class BuyerMonth(models.Model):
    """A buyer bought ``cars`` in one calendar month (UTC): the unique buyers of whole months."""

    month = models.DateField(help_text="The month's first day (UTC).")
    buyer = models.ForeignKey(Buyer, on_delete=models.PROTECT, related_name="+")
    cars = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "buyer"], name="dealership_buyer_month_unique"),
        ]
        indexes = [models.Index(fields=["buyer", "month"], name="dealership_buyer_month_buyer")]

    def __str__(self) -> str:
        return f"{self.buyer_id} {self.month:%Y-%m}: {self.cars} cars"


class SupplierMonth(models.Model):
    """One supplier's sales to dealerships in one calendar month (UTC): units and revenue."""

    month = models.DateField(help_text="The month's first day (UTC).")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+")
    units = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(**TOTAL, default=Decimal(0))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "supplier"], name="dealership_supplier_month_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id} {self.month:%Y-%m}: {self.units} units"
