package main
import ("fmt";"os";"maillab/web")
func main(){ for _,f:=range os.Args[1:] { b,_:=os.ReadFile(f); fmt.Println(f,len(b),len(web.Brotli(b,11)),len(web.Gzip(b))) } }
