"""Every write and rule of the car dealership market, one function per use case, in one module per concept.

``catalogue`` (car models, suppliers, their prices and discounts: the market's staff),
``dealerships`` (dealerships, their people, promotions, top-ups), ``buyers`` (buyer
profiles and offers) and ``trading`` (the restock and match cycles). Locks and access checks
shared by them are in ``_common``; the price arithmetic is ``dealership.pricing``.
"""

from circulate.dealership.services.buyers import (
    cancel_offer,
    create_offer,
    get_or_create_buyer,
    top_up_buyer,
    update_buyer,
)
from circulate.dealership.services.catalogue import (
    CarModelChanges,
    DiscountChanges,
    SupplierChanges,
    create_car_model,
    create_supplier,
    create_supplier_discount,
    delete_car_model,
    delete_supplier,
    delete_supplier_discount,
    delete_supplier_price,
    set_supplier_price,
    update_car_model,
    update_supplier,
    update_supplier_discount,
    update_supplier_price,
)
from circulate.dealership.services.dealerships import (
    DealershipChanges,
    PromotionChanges,
    create_dealership,
    create_promotion,
    delete_dealership,
    delete_promotion,
    set_dealership_staff,
    top_up_dealership,
    update_dealership,
    update_promotion,
)
from circulate.dealership.services.trading import (
    TradingReport,
    match_offer,
    match_offers,
    restock,
    restock_dealership,
    run_trading,
)

__all__ = [
    "CarModelChanges",
    "DealershipChanges",
    "DiscountChanges",
    "PromotionChanges",
    "SupplierChanges",
    "TradingReport",
    "cancel_offer",
    "create_car_model",
    "create_dealership",
    "create_offer",
    "create_promotion",
    "create_supplier",
    "create_supplier_discount",
    "delete_car_model",
    "delete_dealership",
    "delete_promotion",
    "delete_supplier",
    "delete_supplier_discount",
    "delete_supplier_price",
    "get_or_create_buyer",
    "match_offer",
    "match_offers",
    "restock",
    "restock_dealership",
    "run_trading",
    "set_dealership_staff",
    "set_supplier_price",
    "top_up_buyer",
    "top_up_dealership",
    "update_buyer",
    "update_car_model",
    "update_dealership",
    "update_promotion",
    "update_supplier",
    "update_supplier_discount",
    "update_supplier_price",
]
