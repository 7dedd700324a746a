from . import customer_pyramid_report_mixin
from . import customer_pyramid_report
from . import customer_pyramid_concentration
from . import customer_pyramid_concentration_line
from . import customer_pyramid_migration
from . import customer_pyramid_migration_line
from . import customer_lifecycle_funnel
from . import customer_lifecycle_funnel_line
