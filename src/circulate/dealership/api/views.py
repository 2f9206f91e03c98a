"""Dealership market endpoints: parse with an input serializer, call one service, render the read model.

Everyone signed in reads car models, suppliers, prices, discounts, dealerships and what is in
stock; the services let only the market's staff write the catalogue (403 otherwise) and only
a dealership's people edit it. Offers, purchases and trading records are the caller's own;
another party's object is a 404 on every endpoint. Balances are never writable here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from circulate.accounts.permissions import IsEmailVerified
from circulate.core import schema
from circulate.core.api import KeptListAndDetail, ServiceCrudViewSet, ServiceViewSet
from circulate.core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from circulate.core.schema import error_response, request_example, response_example
from circulate.dealership import filters, selectors, services, stock_cache
from circulate.dealership.api import docs
from circulate.dealership.api.docs import errors
from circulate.dealership.api.serializers import (
    BuyerInputSerializer,
    BuyerSerializer,
    CarModelInputSerializer,
    CarModelSerializer,
    DealershipInputSerializer,
    DealershipSerializer,
    OfferInputSerializer,
    OfferSerializer,
    PromotionInputSerializer,
    PromotionSerializer,
    SaleSerializer,
    StaffInputSerializer,
    StockSerializer,
    SupplierCarChangeSerializer,
    SupplierCarInputSerializer,
    SupplierCarSerializer,
    SupplierDiscountInputSerializer,
    SupplierDiscountSerializer,
    SupplierInputSerializer,
    SupplierSaleSerializer,
    SupplierSerializer,
    TradingReportSerializer,
)
from circulate.dealership.models import (
    Buyer,
    CarModel,
    Dealership,
    DealershipCar,
    DealershipPromotion,
    DealershipSale,
    Offer,
    Supplier,
    SupplierCar,
    SupplierDiscount,
    SupplierSale,
)

STAFF_ONLY = "the market's staff"


def crud_schema(noun: str, read: Any, write: Any, example: dict[str, Any], who: str, conflict: str) -> Any:
    """Everyone signed in reads; ``who`` writes."""
    return schema.crud_schema(noun, read, write, example, writers=who, conflict=conflict, errors=errors)


# --- Catalogue ---------------------------------------------------------------------------------------------


@crud_schema(
    "car model",
    CarModelSerializer,
    CarModelInputSerializer,
    docs.CAR_MODEL,
    STAFF_ONLY,
    "`in_use`: in stock or asked for by open offers",
)
class CarModelViewSet(ServiceCrudViewSet):
    serializer_class = CarModelSerializer
    input_serializer_class = CarModelInputSerializer
    filterset_class = filters.CarModelFilter
    queryset = CarModel.objects.none()
    create_service = staticmethod(services.create_car_model)
    update_service = staticmethod(services.update_car_model)
    delete_service = staticmethod(services.delete_car_model)
    id_argument = "car_model_id"

    def get_queryset(self) -> QuerySet[CarModel]:
        return selectors.car_models()


@crud_schema("supplier", SupplierSerializer, SupplierInputSerializer, docs.SUPPLIER, STAFF_ONLY, "none")
class SupplierViewSet(ServiceCrudViewSet):
    serializer_class = SupplierSerializer
    input_serializer_class = SupplierInputSerializer
    filterset_class = filters.SupplierFilter
    queryset = Supplier.objects.none()
    create_service = staticmethod(services.create_supplier)
    update_service = staticmethod(services.update_supplier)
    delete_service = staticmethod(services.delete_supplier)
    id_argument = "supplier_id"

    def get_queryset(self) -> QuerySet[Supplier]:
        return selectors.suppliers()


@crud_schema(
    "supplier price",
    SupplierCarSerializer,
    SupplierCarInputSerializer,
    docs.SUPPLIER_CAR,
    STAFF_ONLY,
    "`price_exists`: the supplier already prices this car model",
)
@extend_schema_view(
    update=extend_schema(
        summary="Change a supplier's price (the market's staff)",
        request=SupplierCarChangeSerializer,
        responses={200: SupplierCarSerializer, **errors(400, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Change a supplier's price (the market's staff)",
        request=SupplierCarChangeSerializer,
        responses={200: SupplierCarSerializer, **errors(400, 403, 404)},
    ),
)
class SupplierCarViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    serializer_class = SupplierCarSerializer
    input_serializer_class = SupplierCarInputSerializer
    filterset_class = filters.SupplierCarFilter
    queryset = SupplierCar.objects.none()

    def get_queryset(self) -> QuerySet[SupplierCar]:
        return selectors.supplier_cars()

    def create(self, request: Request) -> Response:
        data = self.valid_input()
        row = services.set_supplier_price(
            actor=self.actor, supplier_id=data["supplier"], car_model_id=data["car_model"], price=data["price"]
        )
        return self.render(row.pk, status_code=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str, partial: bool = False) -> Response:
        serializer = SupplierCarChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.update_supplier_price(
            actor=self.actor, supplier_car_id=self.object_id(), price=serializer.validated_data["price"]
        )
        return self.render(row.pk)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk)

    def destroy(self, request: Request, pk: str) -> Response:
        services.delete_supplier_price(actor=self.actor, supplier_car_id=self.object_id())
        return Response(status=status.HTTP_204_NO_CONTENT)


@crud_schema(
    "supplier discount",
    SupplierDiscountSerializer,
    SupplierDiscountInputSerializer,
    docs.DISCOUNT,
    STAFF_ONLY,
    "none",
)
class SupplierDiscountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    serializer_class = SupplierDiscountSerializer
    input_serializer_class = SupplierDiscountInputSerializer
    filterset_class = filters.SupplierDiscountFilter
    queryset = SupplierDiscount.objects.none()

    def get_queryset(self) -> QuerySet[SupplierDiscount]:
        return selectors.supplier_discounts()

    def create(self, request: Request) -> Response:
        data = self.valid_input()
        discount = services.create_supplier_discount(actor=self.actor, supplier_id=data.pop("supplier"), **data)
        return self.render(discount.pk, status_code=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str, partial: bool = False) -> Response:
        data = self.valid_input(partial=partial)
        data.pop("supplier", None)
        discount = services.update_supplier_discount(actor=self.actor, supplier_discount_id=self.object_id(), **data)
        return self.render(discount.pk)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: str) -> Response:
        services.delete_supplier_discount(actor=self.actor, supplier_discount_id=self.object_id())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Dealerships, stock and promotions -----------------------------------------------------------------------


@crud_schema(
    "dealership",
    DealershipSerializer,
    DealershipInputSerializer,
    docs.DEALERSHIP,
    "the market's staff open and close; its people edit name, markup and preferences",
    "`stock_not_empty`: cars still in stock",
)
class DealershipViewSet(ServiceCrudViewSet):
    serializer_class = DealershipSerializer
    input_serializer_class = DealershipInputSerializer
    filterset_class = filters.DealershipFilter
    queryset = Dealership.objects.none()
    create_service = staticmethod(services.create_dealership)
    update_service = staticmethod(services.update_dealership)
    delete_service = staticmethod(services.delete_dealership)
    id_argument = "dealership_id"

    def get_queryset(self) -> QuerySet[Dealership]:
        return selectors.dealerships().prefetch_related("staff")

    def valid_input(self, *, partial: bool = False) -> dict[str, Any]:
        data = super().valid_input(partial=partial)
        if self.action in ("update", "partial_update") and not selectors.is_market_staff(self.actor):
            # A dealership's people send the whole form back; unchanged place fields are not a change.
            instance = self.get_object()
            if data.get("country") == instance.country.code:
                data.pop("country")
            if data.get("city") == instance.city:
                data.pop("city")
        return data

    @extend_schema(
        summary="Choose the dealership's people (the market's staff): users with the dealer_staff role",
        request=StaffInputSerializer,
        responses={200: DealershipSerializer, **errors(400, 403, 404)},
        examples=[request_example("Two people", {"staff": [4, 5]})],
    )
    @action(detail=True, methods=["put"], url_path="staff")
    def set_staff(self, request: Request, pk: str) -> Response:
        serializer = StaffInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dealership = services.set_dealership_staff(
            actor=self.actor, dealership_id=self.object_id(), user_ids=serializer.validated_data["staff"]
        )
        return self.render(dealership.pk)


@extend_schema_view(
    list=extend_schema(
        summary="Cars in stock (buyers browse these); a dealership's people also see their empty rows and costs",
        responses={200: StockSerializer(many=True), **errors(400)},
        examples=[response_example("Stock", [docs.STOCK])],
    ),
    retrieve=extend_schema(summary="Read a stock row", responses={200: StockSerializer, **errors(404)}),
)
class StockViewSet(KeptListAndDetail, ServiceViewSet):
    serializer_class = StockSerializer
    filterset_class = filters.StockFilter
    queryset = DealershipCar.objects.none()

    def get_queryset(self) -> QuerySet[DealershipCar]:
        return selectors.stock_for(user=self.actor)

    # What buyers see is the same for all of them: kept in the stock cache. Dealers and staff see more.
    kept_in = stock_cache.STOCK

    def kept_for(self, user: Any) -> bool:
        return stock_cache.sees_the_shared_stock(user)


@crud_schema(
    "promotion",
    PromotionSerializer,
    PromotionInputSerializer,
    docs.PROMOTION,
    "the dealership's people",
    "none",
)
class PromotionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    serializer_class = PromotionSerializer
    input_serializer_class = PromotionInputSerializer
    filterset_class = filters.PromotionFilter
    queryset = DealershipPromotion.objects.none()

    def get_queryset(self) -> QuerySet[DealershipPromotion]:
        return selectors.promotions_for(user=self.actor)

    def create(self, request: Request) -> Response:
        data = self.valid_input()
        promotion = services.create_promotion(actor=self.actor, dealership_id=data.pop("dealership"), **data)
        return self.render(promotion.pk, status_code=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str, partial: bool = False) -> Response:
        data = self.valid_input(partial=partial)
        data.pop("dealership", None)
        promotion = services.update_promotion(actor=self.actor, promotion_id=self.object_id(), **data)
        return self.render(promotion.pk)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: str) -> Response:
        services.delete_promotion(actor=self.actor, promotion_id=self.object_id())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Buyers and offers -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Buyers (staff: everyone; others: themselves)", responses={200: BuyerSerializer(many=True)}
    ),
    retrieve=extend_schema(summary="Read a buyer", responses={200: BuyerSerializer, **errors(404)}),
)
class BuyerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    serializer_class = BuyerSerializer
    queryset = Buyer.objects.none()

    def get_queryset(self) -> QuerySet[Buyer]:
        return selectors.buyers_for(user=self.actor).order_by("pk")

    @extend_schema(
        methods=["GET"],
        summary="Your buyer profile (made on first use; the balance is read-only)",
        responses={200: BuyerSerializer, **errors()},
        examples=[response_example("You", docs.BUYER)],
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Say where you live (the only field you write)",
        request=BuyerInputSerializer,
        responses={200: BuyerSerializer, **errors(400)},
        examples=[request_example("France", {"country": "FR"})],
    )
    @action(detail=False, methods=["get", "patch"])
    def me(self, request: Request) -> Response:
        if request.method == "PATCH":
            serializer = BuyerInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            buyer = services.update_buyer(actor=self.actor, country=serializer.validated_data["country"])
        else:
            buyer = services.get_or_create_buyer(actor=self.actor)
        return self.render(buyer.pk)


class CanCreateOffers(IsEmailVerified):
    """Creating an offer needs a confirmed e-mail; reading and cancelling one's own does not."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return getattr(view, "action", None) != "create" or super().has_permission(request, view)


@extend_schema_view(
    list=extend_schema(
        summary="Your offers (staff: everyone's)",
        responses={200: OfferSerializer(many=True), **errors(400)},
        examples=[response_example("Offers", [docs.OFFER])],
    ),
    retrieve=extend_schema(summary="Read an offer", responses={200: OfferSerializer, **errors(404)}),
)
class OfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    serializer_class = OfferSerializer
    input_serializer_class = OfferInputSerializer
    filterset_class = filters.OfferFilter
    queryset = Offer.objects.none()
    permission_classes = [IsAuthenticated, CanCreateOffers]

    def get_queryset(self) -> QuerySet[Offer]:
        return selectors.offers_for(user=self.actor)

    @extend_schema(
        summary="Ask for a car: a car model or characteristics, up to max_price (confirmed e-mail only)",
        description="403 `email_not_verified` until the e-mail address is confirmed. The match cycle "
        "(every minute) sells it the cheapest matching car within max_price and your balance.",
        request=OfferInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: OfferSerializer,
            **errors(400),
            403: error_response(
                403,
                ("E-mail not confirmed", docs.EMAIL_NOT_VERIFIED_EXAMPLE),
                description="The caller's e-mail address is not confirmed yet.",
            ),
        },
        examples=[
            request_example("A car model", {"car_model": 7, "max_price": "26000.00"}),
            request_example(
                "Characteristics", {"criteria": {"body_types": ["suv"], "fuels": ["hybrid"]}, "max_price": "40000"}
            ),
            response_example("Created", {**docs.OFFER, "status": "active", "sale": None, "fulfilled_at": None}, 201),
        ],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self.valid_input()
        offer = services.create_offer(
            actor=self.actor,
            max_price=data["max_price"],
            car_model_id=data.get("car_model"),
            criteria=data.get("criteria"),
        )
        return self.render(offer.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Withdraw an active offer (a buyer: their own; the market's staff: anyone's, and the buyer is told)",
        request=None,
        responses={200: OfferSerializer, **errors(404, 409, conflict="`offer_not_active`: fulfilled or cancelled")},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        offer = services.cancel_offer(actor=self.actor, offer_id=self.object_id())
        return self.render(offer.pk)


# --- Trading records -----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Purchases from suppliers (staff: all; dealer staff: their dealerships')",
        responses={200: SupplierSaleSerializer(many=True), **errors(400)},
        examples=[response_example("Purchases", [docs.SUPPLIER_SALE])],
    ),
    retrieve=extend_schema(summary="Read a purchase", responses={200: SupplierSaleSerializer, **errors(404)}),
)
class SupplierSaleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    serializer_class = SupplierSaleSerializer
    filterset_class = filters.SupplierSaleFilter
    queryset = SupplierSale.objects.none()

    def get_queryset(self) -> QuerySet[SupplierSale]:
        return selectors.supplier_sales_for(user=self.actor)


@extend_schema_view(
    list=extend_schema(
        summary="Sales to buyers (staff: all; dealer staff: their dealerships'; buyers: their purchases)",
        responses={200: SaleSerializer(many=True), **errors(400)},
        examples=[response_example("Sales", [docs.SALE])],
    ),
    retrieve=extend_schema(summary="Read a sale", responses={200: SaleSerializer, **errors(404)}),
)
class SaleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    serializer_class = SaleSerializer
    filterset_class = filters.SaleFilter
    queryset = DealershipSale.objects.none()

    def get_queryset(self) -> QuerySet[DealershipSale]:
        return selectors.sales_for(user=self.actor)


class TradingRunView(APIView):
    @extend_schema(
        summary="Run one restock cycle and one match cycle now (the market's staff)",
        request=None,
        responses={
            200: OpenApiResponse(TradingReportSerializer, description="What was bought and sold."),
            **errors(403),
        },
        examples=[response_example("Bought and sold", {"purchases": [docs.SUPPLIER_SALE], "sales": [docs.SALE]})],
    )
    def post(self, request: Request) -> Response:
        report = services.run_trading(actor=request.user)
        data = TradingReportSerializer(report, context={"request": request}).data
        return Response(data)
