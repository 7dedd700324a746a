from . import customer_pyramid_preview
from . import customer_pyramid_preview_level
from . import customer_pyramid_preview_move
