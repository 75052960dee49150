"""The web process's use cases (agency API and desk alike): what a caller may do with cases and review
candidates, knowing nothing of HTTP. Routers and desk handlers are adapters: they turn a request into one
call here and a ``UseCaseError`` into their own answer (a JSON error or an error page), so a new desk
action or API endpoint is a new function here and a thin handler there.

- ``errors``: the one error type and its kinds;
- ``context``: what every use case needs (store, configuration, public URL), built once per process;
- ``cases``: visibility, selection, views and workflow actions on cases;
- ``reviews``: the review-candidate queue, accept (a case opens) and reject (a judgement is kept).
"""
