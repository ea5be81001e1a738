from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("elders", "0005_exact_hash_indexes")]

    operations = [
        migrations.RenameField("elderstatuschange", "old_status", "from_status"),
        migrations.RenameField("elderstatuschange", "new_status", "to_status"),
        migrations.RenameField("elderstatuschange", "effects", "data"),
    ]
