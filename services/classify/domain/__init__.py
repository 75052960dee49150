"""Pure classification domain: normalisation, election config, decision logic, SKB forms.

No Kafka or MongoDB here; the service (``services/classify/app.py``) and ``pantau classify`` both
call :class:`services.classify.domain.classifier.Classifier`.
"""
