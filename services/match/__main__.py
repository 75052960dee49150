from services.match.app import app, settings
from shared.kafka import run_worker

run_worker(app, settings)
