from customers.models import Customer, CustomerAddress


def customer_list():
    return Customer.objects.prefetch_related("tags")


def customer_addresses(customer):
    return CustomerAddress.objects.filter(customer=customer).order_by("-is_default", "created_at", "id")


def customer_addresses_all():
    return CustomerAddress.objects.select_related("customer")
