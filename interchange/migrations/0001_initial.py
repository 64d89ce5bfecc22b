"""The import jobs, made by events' migrations, move here with their table as it is."""


import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models

from crisis_tracker.model_moves import move_content_types, state_only


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('events', '0017_desk_and_interchange_models_moved'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        state_only(
            migrations.CreateModel(
                name='ImportJob',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('kind', models.CharField(choices=[('fixture', 'fixture'), ('spreadsheet', 'spreadsheet')], default='fixture', max_length=12, verbose_name='kind')),
                    ('reason', models.CharField(blank=True, max_length=100, verbose_name='edit summary')),
                    ('files', models.JSONField(default=list, verbose_name='files')),
                    ('status', models.CharField(choices=[('checking', 'checking'), ('checked', 'checked, awaiting confirmation'), ('submitted', 'submitted, awaiting a publisher'), ('sent-back', 'sent back'), ('importing', 'importing'), ('done', 'imported'), ('refused', 'refused'), ('failed', 'failed')], max_length=10, verbose_name='status')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                    ('total', models.PositiveIntegerField(default=0, verbose_name='objects')),
                    ('preview', models.JSONField(default=dict, verbose_name='dry run')),
                    ('result', models.JSONField(default=dict, verbose_name='result')),
                    ('problems', models.JSONField(default=list, verbose_name='problems')),
                    ('error', models.TextField(blank=True, verbose_name='error')),
                    ('review_comment', models.TextField(blank=True, verbose_name='review comment')),
                    ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by')),
                    ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL, verbose_name='user')),
                ],
                options={
                    'verbose_name': 'import',
                    'verbose_name_plural': 'imports',
                    'db_table': 'events_importjob',
                    'ordering': ['-created_at'],
                },
            ),
        ),
        move_content_types('events', 'interchange', ['importjob']),
    ]
