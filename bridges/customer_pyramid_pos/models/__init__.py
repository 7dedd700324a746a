from . import customer_pyramid_engine
from . import customer_pyramid_query
from . import pos_order
from . import res_company
