"""Running executions: dispatchers (inline asyncio pool, Celery), the sweeper, the scheduler."""
