from customers.models import Customer


def customer_list():
    return Customer.objects.all()
