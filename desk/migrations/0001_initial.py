"""The desk's models, made by events' migrations, move here with their tables as they are."""


import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models

from crisis_tracker.model_moves import move_content_types, state_only
from events.roles import install


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
                name='NotificationSettings',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('submitted', models.BooleanField(default=True, verbose_name='something I may publish is submitted for review')),
                    ('reviewed', models.BooleanField(default=True, verbose_name='my submission is approved or sent back')),
                    ('published', models.BooleanField(default=True, verbose_name='something is published in a crisis I watch')),
                    ('feed_key', models.UUIDField(default=uuid.uuid4, editable=False)),
                    ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='notification_settings', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'notification settings',
                    'verbose_name_plural': 'notification settings',
                    'db_table': 'events_notificationsettings',
                },
            ),
            migrations.CreateModel(
                name='PreviewLink',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('key', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                    ('note', models.CharField(blank=True, help_text='e.g. the legal desk', max_length=200, verbose_name='for whom')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                    ('expires_at', models.DateTimeField(verbose_name='expires')),
                    ('revoked_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='revoked')),
                    ('created_by', models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                    ('crisis', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='preview_links', to='events.crisis', verbose_name='crisis')),
                ],
                options={
                    'verbose_name': 'preview link',
                    'verbose_name_plural': 'preview links',
                    'db_table': 'events_previewlink',
                    'ordering': ['-created_at'],
                },
            ),
            migrations.CreateModel(
                name='CrisisWatch',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('crisis', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='watches', to='events.crisis')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='crisis_watches', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'watched crisis',
                    'verbose_name_plural': 'watched crises',
                    'db_table': 'events_crisiswatch',
                    'constraints': [models.UniqueConstraint(fields=('user', 'crisis'), name='crisis_watch_unique')],
                },
            ),
            migrations.CreateModel(
                name='ReviewComment',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('object_id', models.PositiveBigIntegerField()),
                    ('step', models.CharField(choices=[('submitted', 'submitted for review'), ('published', 'approved and published'), ('sent_back', 'sent back'), ('withdrawn', 'taken down'), ('commented', 'commented')], max_length=10, verbose_name='step')),
                    ('text', models.TextField(blank=True, verbose_name='comment')),
                    ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='time')),
                    ('revision_key', models.UUIDField(blank=True, editable=False, null=True)),
                    ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='contenttypes.contenttype')),
                    ('crisis', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='review_comments', to='events.crisis', verbose_name='crisis')),
                    ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                ],
                options={
                    'verbose_name': 'review comment',
                    'verbose_name_plural': 'review comments',
                    'db_table': 'events_reviewcomment',
                    'ordering': ['created_at', 'pk'],
                    'indexes': [models.Index(fields=['content_type', 'object_id', 'created_at'], name='events_revi_content_86149e_idx')],
                },
            ),
        ),
        move_content_types(
            'events', 'desk', ['reviewcomment', 'notificationsettings', 'crisiswatch', 'previewlink']
        ),
        migrations.RunPython(install, migrations.RunPython.noop),  # the roles' preview-link permissions
    ]
