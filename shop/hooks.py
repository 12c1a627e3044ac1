"""How a lower module asks the later modules (DESIGN §1: it never imports them): every app whose AppConfig
offers the method `hook` answers it. The one loop over the app configs that related panels, the product page's
SKU figures, the customers' order facts, the data file, the phone sources and marketing's order facts share.
"""

from django.apps import apps


def hook_answers(hook, *args, skip=(), **kwargs) -> list:
    """`AppConfig.<hook>(*args, **kwargs)` of every installed app that offers it (apps named in `skip` aside),
    in INSTALLED_APPS order."""
    return [
        getattr(config, hook)(*args, **kwargs)
        for config in apps.get_app_configs()
        if hasattr(config, hook) and config.name not in skip
    ]
