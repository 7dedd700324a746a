from . import test_pyramid_levels
from . import test_pyramid_events
from . import test_pyramid_reliability
from . import test_lifecycle
from . import test_access
from . import test_settings
from . import test_demo
from . import test_boards_tour
