"""The JSON API (django-ninja): thin views over the domain services and selectors."""
