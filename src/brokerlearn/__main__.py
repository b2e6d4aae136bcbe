from brokerlearn.cli import main

main()
