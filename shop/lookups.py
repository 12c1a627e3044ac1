"""`in` on integer columns, bounded like Django's own integer lookups.

Django (5.0+) turns `exact`, `gt`, `gte`, `lt`, `lte` with a value outside the column's range into "no
rows" / "all rows" before any SQL runs; `in` it leaves alone, so a request's huge id
(`?ids=99999999999999999999`, a posted tag or attribute value id, `/orders/<huge>/packing-slip/`)
reached SQLite and raised OverflowError (a 500). This lookup drops the values no row can have, and an
empty list matches nothing, as `pk__in=[]` does. Registered once for every IntegerField (and so every
auto / big integer primary key) by ShopConfig.ready.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register():
    IntegerField.register_lookup(IntegerFieldIn)
