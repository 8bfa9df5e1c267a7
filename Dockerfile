# PracticeOps API / worker / beat image.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# collectstatic needs settings but no database or real secrets.
RUN DEBUG=false JWT_SECRET_KEY=build-only-0123456789abcdefghijklmnopqrstuv \
    DJANGO_SECRET_KEY=build-only-0123456789abcdefghijklmnopqrstuvwxyz \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput

RUN useradd --create-home --uid 10001 practiceops && chown -R practiceops /app
USER practiceops

EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "practiceops.wsgi:application"]
