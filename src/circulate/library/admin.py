"""Admin for the library. Writes go through the services, as from the API; history is never deleted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone

from circulate.accounts.models import User
from circulate.core.admin import AuditedModelAdmin, SoftDeleteAdmin, deactivate_selected, restore_selected
from circulate.core.errors import DomainError
from circulate.library import services
from circulate.library.isbn import normalize_isbn
from circulate.library.models import (
    Author,
    Book,
    Like,
    Loan,
    LoanReminder,
    Member,
    MembershipCard,
    MembershipTier,
    Reservation,
)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _run_each(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any], verb: str, call: Any
) -> None:
    """Call ``call(obj)`` for each selected row and report successes and refusals."""
    done, refused = 0, []
    for obj in queryset.order_by("pk"):
        try:
            call(obj)
            done += 1
        except DomainError as exc:
            refused.append(f"#{obj.pk}: {exc.detail}")
    if done:
        modeladmin.message_user(request, f"{verb} {done} row(s).", messages.SUCCESS)
    for reason in refused:
        modeladmin.message_user(request, reason, messages.WARNING)


@admin.action(description="Remove selected authors (soft delete)")
def remove_authors(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Author]) -> None:
    _run_each(
        modeladmin,
        request,
        queryset.filter(is_active=True),
        "Removed",
        lambda author: services.delete_author(actor=_actor(request), author_id=author.pk),
    )


@admin.action(description="Restore selected authors")
def restore_authors(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Author]) -> None:
    _run_each(
        modeladmin,
        request,
        queryset.filter(is_active=False),
        "Restored",
        lambda author: services.restore_author(actor=_actor(request), author_id=author.pk),
    )


@admin.register(Author)
class AuthorAdmin(SoftDeleteAdmin):
    list_display = ("name", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name",)
    fields = ("name", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")
    actions = (remove_authors, restore_authors)

    def save_model(self, request: HttpRequest, obj: Author, form: forms.ModelForm[Author], change: bool) -> None:
        if change:
            services.update_author(actor=_actor(request), author_id=obj.pk, name=form.cleaned_data["name"])
        else:
            author = services.create_author(actor=_actor(request), name=form.cleaned_data["name"])
            obj.pk = author.pk
            obj._state.adding = False
        obj.refresh_from_db()


class BookAdminForm(forms.ModelForm[Book]):
    class Meta:
        model = Book
        fields = ("title", "isbn", "authors", "description", "year", "copies_total", "cover")

    def clean_isbn(self) -> str:
        try:
            return normalize_isbn(self.cleaned_data["isbn"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


@admin.action(description="Remove selected books (soft delete)")
def remove_books(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Book]) -> None:
    _run_each(
        modeladmin,
        request,
        queryset.filter(is_active=True),
        "Removed",
        lambda book: services.delete_book(actor=_actor(request), book_id=book.pk),
    )


@admin.register(Book)
class BookAdmin(SoftDeleteAdmin):
    form = BookAdminForm
    list_display = ("title", "isbn", "copies_available", "copies_total", "likes_count", "added_by", "is_active")
    list_filter = ("is_active", "year")
    search_fields = ("title", "isbn", "authors__name")
    autocomplete_fields = ("authors",)
    readonly_fields = ("copies_available", "likes_count", "added_by", "created_at", "updated_at")
    actions = (remove_books,)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Book, form: forms.ModelForm[Book], change: bool) -> None:
        data = form.cleaned_data
        fields = {name: data[name] for name in ("title", "isbn", "authors", "description", "year", "copies_total")}
        if change:
            services.update_book(actor=_actor(request), book_id=obj.pk, **fields, cover=data.get("cover") or None)
        else:
            book = services.create_book(actor=_actor(request), **fields, cover=data.get("cover") or None)
            obj.pk = book.pk
            obj._state.adding = False
        obj.refresh_from_db()


@admin.register(MembershipTier)
class MembershipTierAdmin(SoftDeleteAdmin):
    list_display = (
        "name",
        "loan_limit",
        "loan_period_days",
        "max_renewals",
        "hold_limit",
        "pickup_window_days",
        "self_checkout",
        "is_default",
        "is_active",
    )
    list_filter = ("is_active", "self_checkout", "is_default")
    search_fields = ("name",)
    actions = (deactivate_selected, restore_selected)


class CardInlineFormSet(BaseInlineFormSet[MembershipCard, Member, forms.ModelForm[MembershipCard]]):
    def get_queryset(self) -> QuerySet[MembershipCard]:
        return MembershipCard.all_objects.filter(member=self.instance)


class MembershipCardInline(admin.StackedInline[MembershipCard, Member]):
    model = MembershipCard
    formset = CardInlineFormSet
    fields = ("number", "tier", "valid_until", "is_active")
    readonly_fields = ("number", "is_active")
    max_num = 1
    can_delete = True
    verbose_name = "membership card (deleting it revokes the card)"


@admin.action(description="Close selected memberships (soft delete)")
def close_memberships(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Member]) -> None:
    _run_each(
        modeladmin,
        request,
        queryset.filter(is_active=True),
        "Closed",
        lambda member: services.delete_member(actor=_actor(request), member_id=member.pk),
    )


@admin.register(Member)
class MemberAdmin(SoftDeleteAdmin):
    list_display = ("name", "email", "phone", "user", "card_number", "is_active")
    list_filter = ("is_active", "card__tier")
    search_fields = ("name", "email", "phone", "card__number", "user__email")
    autocomplete_fields = ("user",)
    inlines = (MembershipCardInline,)
    actions = (close_memberships,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Member]:
        return super().get_queryset(request).select_related("card", "user")

    @admin.display(description="Card")
    def card_number(self, member: Member) -> str:
        card = getattr(member, "card", None)
        return card.number if card is not None and card.is_active else "—"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Member, form: forms.ModelForm[Member], change: bool) -> None:
        data = form.cleaned_data
        fields = {name: data[name] for name in ("name", "email", "phone", "user")}
        if change:
            services.update_member(actor=_actor(request), member_id=obj.pk, **fields)
        else:
            member = services.create_member(actor=_actor(request), **fields)
            obj.pk = member.pk
            obj._state.adding = False
        obj.refresh_from_db()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not MembershipCard:
            super().save_formset(request, form, formset, change)
            return
        # The admin's history message reads what the formset saved; here the services save.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for card_form in formset.forms:
            if not card_form.has_changed() or not card_form.cleaned_data:
                continue
            if card_form.cleaned_data.get("DELETE"):
                services.revoke_card(actor=_actor(request), member_id=form.instance.pk)
                formset.deleted_objects.append(card_form.instance)
                continue
            result = services.issue_or_renew_card(
                actor=_actor(request),
                member_id=form.instance.pk,
                tier=card_form.cleaned_data["tier"],
                valid_until=card_form.cleaned_data["valid_until"],
            )
            if result.created:
                formset.new_objects.append(result.card)
            else:
                formset.changed_objects.append((result.card, card_form.changed_data))


@admin.register(Like)
class LikeAdmin(SoftDeleteAdmin):
    list_display = ("book", "member", "liked_at", "is_active")
    list_filter = ("is_active",)
    search_fields = ("book__title", "member__name")
    readonly_fields = ("book", "member", "liked_at", "is_active", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class LoanStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", "Not returned"), ("overdue", "Overdue"), ("returned", "Returned")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Loan]) -> QuerySet[Loan]:
        if self.value() == "open":
            return queryset.filter(returned_at__isnull=True)
        if self.value() == "overdue":
            return queryset.filter(returned_at__isnull=True, due_at__lt=timezone.now())
        if self.value() == "returned":
            return queryset.filter(returned_at__isnull=False)
        return queryset


@admin.action(description="Return selected loans")
def return_loans(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Loan]) -> None:
    _run_each(
        modeladmin,
        request,
        queryset,
        "Returned",
        lambda loan: services.return_loan(actor=_actor(request), loan_id=loan.pk),
    )


@admin.action(description="Renew selected loans")
def renew_loans(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Loan]) -> None:
    _run_each(
        modeladmin,
        request,
        queryset,
        "Renewed",
        lambda loan: services.renew_loan(actor=_actor(request), loan_id=loan.pk),
    )


@admin.register(Loan)
class LoanAdmin(AuditedModelAdmin):
    list_display = ("id", "book", "member", "issued_at", "due_at", "returned_at", "renewals")
    list_filter = (LoanStateFilter, "issued_at")
    search_fields = ("book__title", "book__isbn", "member__name", "member__card__number")
    list_select_related = ("book", "member")
    readonly_fields = ("book", "member", "issued_by", "issued_at", "due_at", "returned_at", "renewals")
    actions = (return_loans, renew_loans)
    date_hierarchy = "issued_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.action(description="Cancel selected reservations")
def cancel_reservations(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Reservation]
) -> None:
    _run_each(
        modeladmin,
        request,
        queryset,
        "Cancelled",
        lambda hold: services.cancel_reservation(actor=_actor(request), reservation_id=hold.pk),
    )


@admin.register(Reservation)
class ReservationAdmin(AuditedModelAdmin):
    list_display = ("id", "book", "member", "status", "created_at", "ready_until", "closed_at")
    list_filter = ("status",)
    search_fields = ("book__title", "member__name")
    list_select_related = ("book", "member")
    readonly_fields = ("book", "member", "status", "ready_at", "ready_until", "closed_at", "created_at")
    actions = (cancel_reservations,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LoanReminder)
class LoanReminderAdmin(AuditedModelAdmin):
    list_display = ("loan", "kind", "sent_on")
    list_filter = ("kind", "sent_on")
    search_fields = ("loan__book__title", "loan__member__name")
    readonly_fields = ("loan", "kind", "sent_on", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
