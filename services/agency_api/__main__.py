from services.agency_api.api import main

main()
