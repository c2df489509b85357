from condo.cli import main

main()
