from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_complaint")]

    operations = [
        migrations.RenameField("orderevent", "old_status", "from_status"),
        migrations.RenameField("orderevent", "new_status", "to_status"),
    ]
