FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/base.txt

COPY . .
# collectstatic needs a key to import the settings; it is not used afterwards.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 app \
    && mkdir -p /app/media /app/.cache/jieba \
    && chown -R app /app/media /app/.cache

USER app
EXPOSE 8000
CMD ["gunicorn", "unionarchive.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
